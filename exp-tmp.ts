import { parseFilter } from './src/protocols/scim/filter.ts';
const cases = ['', '   ', 'userName eq', 'userName', 'userName xx "a"', 'userName eq "abc', 'a eq "x\\q"', 'a eq "x\\u12"', '(a pr', 'a pr)', 'a[b pr', 'a pr]', 'a[b pr)', 'a pr b pr', '1abc eq "x"', 'a;b eq "x"', 'a eq 1e999', 'a eq -1.5e3', 'a eq TRUE', 'a eq Null', 'not a pr', 'a eq "\u0001"', 'a eq b', 'URN:x:y eq "1"', 'a\u00a0pr', 'a eq -', 'a eq 01', '"x" eq "y"', 'a eq ( ', 'a and b', 'a pr and', 'a pr or or b pr', 'emails[type eq "work"] pr', 'a.b.c.d eq 1'];
for (const c of cases) { try { console.log(JSON.stringify(c), '=>', JSON.stringify(parseFilter(c))); } catch (e: any) { console.log(JSON.stringify(c), '!!', e.name, e.message, e.position); } }
const deep = (n: number) => '('.repeat(n) + 'a pr' + ')'.repeat(n);
for (const n of [16, 17]) { try { parseFilter(deep(n)); console.log(n, 'ok'); } catch (e: any) { console.log(n, e.message); } }
const terms = (n: number) => Array.from({ length: n }, (_, i) => `a${i} pr`).join(' and ');
for (const n of [64, 65]) { try { parseFilter(terms(n)); console.log(n, 'ok'); } catch (e: any) { console.log(n, e.message); } }
try { parseFilter('a eq "' + 'x'.repeat(4090) + '"'); console.log('4096?', ('a eq "' + 'x'.repeat(4090) + '"').length); } catch (e: any) { console.log(e.message); }
