/** The `html` template tag: user data is always escaped, trusted Html is not, arrays render. */
import { describe, expect, it } from 'vitest';
import { Html, escapeHtml, html } from '../../src/web/signin/html.ts';

describe('escapeHtml', () => {
  it('escapes the five HTML specials and the backtick as numeric references', () => {
    expect(escapeHtml(`<>&"'\``)).toBe('&#60;&#62;&#38;&#34;&#39;&#96;');
  });

  it('leaves other text, non-ASCII included, alone', () => {
    expect(escapeHtml('Zoë = 1/2 + café 😀 ()[]{}')).toBe('Zoë = 1/2 + café 😀 ()[]{}');
  });

  it('escapes an ampersand even when it already starts a reference', () => {
    expect(escapeHtml('&amp; &#60;')).toBe('&#38;amp; &#38;#60;');
  });
});

describe('html``', () => {
  it('returns Html holding the literal parts untouched', () => {
    const page = html`<p class="x">Hi</p>`;
    expect(page).toBeInstanceOf(Html);
    expect(page.value).toBe('<p class="x">Hi</p>');
    expect(String(page)).toBe('<p class="x">Hi</p>');
    expect(`${page}`).toBe('<p class="x">Hi</p>');
  });

  it('escapes an interpolated script', () => {
    const name = '<script>alert("pwned")</script>';
    expect(html`<p>Hello ${name}</p>`.value)
      .toBe('<p>Hello &#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62;</p>');
  });

  it('keeps an interpolated value inside its attribute, whatever quote the attribute uses', () => {
    const value = `" onfocus="alert(1)' x='\``;
    const double = html`<input value="${value}">`.value;
    const single = html`<input value='${value}'>`.value;
    expect(double).toBe('<input value="&#34; onfocus=&#34;alert(1)&#39; x=&#39;&#96;">');
    expect(single).toBe(`<input value='&#34; onfocus=&#34;alert(1)&#39; x=&#39;&#96;'>`);
    expect(double.match(/"/g)).toHaveLength(2);
    expect(single.match(/'/g)).toHaveLength(2);
  });

  it('escapes ampersands', () => {
    expect(html`<a href="/x?a=${'1&b=2'}">${'Q&A'}</a>`.value).toBe('<a href="/x?a=1&#38;b=2">Q&#38;A</a>');
  });

  it('does not escape nested Html a second time, but escapes the values inside it once', () => {
    const inner = html`<b>${'<i>'} & co</b>`;
    expect(inner.value).toBe('<b>&#60;i&#62; & co</b>');
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&#60;i&#62; & co</b></p>');
    expect(html`<div>${html`<p>${inner}</p>`}</div>`.value).toBe('<div><p><b>&#60;i&#62; & co</b></p></div>');
  });

  it('trusts an Html made directly, and only an Html', () => {
    expect(html`${new Html('<hr>')}`.value).toBe('<hr>');
    expect(html`${'<hr>'}`.value).toBe('&#60;hr&#62;');
    expect(html`${String(new Html('<hr>'))}`.value).toBe('&#60;hr&#62;');
  });

  it('renders arrays by joining their items, escaping strings and trusting Html', () => {
    const items = ['a<b', 'c&d'];
    expect(html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`.value)
      .toBe('<ul><li>a&#60;b</li><li>c&#38;d</li></ul>');
    expect(html`${['<x>', html`<y>`, ['<z>', html`<w>`], 3]}`.value).toBe('&#60;x&#62;<y>&#60;z&#62;<w>3');
    expect(html`<ul>${[]}</ul>`.value).toBe('<ul></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`[${null}|${undefined}|${false}]`.value).toBe('[||]');
    expect(html`[${0}|${-1.5}]`.value).toBe('[0|-1.5]');
    const loggedIn = false;
    expect(html`<nav>${loggedIn && html`<a>Sign out</a>`}</nav>`.value).toBe('<nav></nav>');
  });

  it('does not read template syntax from values', () => {
    expect(html`<p>${'${1+1}'}</p>`.value).toBe('<p>${1+1}</p>');
  });
});
