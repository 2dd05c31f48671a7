/**
 * Runs the benchmarks in sequence and prints one Markdown table (benchmark, figure, value,
 * baseline, ratio), also written to bench/results/latest.md. Every figure sits next to a baseline
 * measured in the same run.
 *
 *   npm run bench                       # all
 *   node bench/run.ts password-signin   # one (or several, by name)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { log, markdownTable, type BenchRow } from './lib.ts';

const benchmarks: Record<string, () => Promise<BenchRow[]>> = {
  'password-signin': async () => (await import('./password-signin.ts')).run(),
  'directory-scale': async () => (await import('./directory-scale.ts')).run(),
  'oidc-token-endpoint': async () => (await import('./oidc-token-endpoint.ts')).run(),
  'oidc-login': async () => (await import('./oidc-login.ts')).run(),
  'saml-signin': async () => (await import('./saml-signin.ts')).run(),
  'scim-provisioning': async () => (await import('./scim-provisioning.ts')).run(),
};

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available: ${Object.keys(benchmarks).join(', ')}\n`);
    return 2;
  }
  const selected = args.length > 0 ? args : Object.keys(benchmarks);
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const name of selected) {
    const t = performance.now();
    log(`running ${name}`);
    rows.push(...await benchmarks[name]!());
    log(`${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const cpu = cpus();
  const header = [
    '# Lanyard benchmarks',
    '',
    `${new Date().toISOString()} · \`node bench/run.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}\` · Node ${process.version} · `
      + `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM · `
      + `${((performance.now() - started) / 1000).toFixed(0)} s`,
    '',
  ].join('\n');
  const report = `${header}\n${markdownTable(rows)}\n`;
  process.stdout.write(report);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.md', dir), report);
  log('written to bench/results/latest.md');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
