/**
 * Text with inline math (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`) to safe HTML:
 * the text is escaped, the math is rendered by KaTeX; math that does not parse is
 * shown as escaped source, never as a broken page.
 */
import katex from 'katex';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function renderSpan(tex: string, displayMode: boolean): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
  } catch {
    return `<code class="tex-error" title="This math could not be rendered">${escapeHtml(tex)}</code>`;
  }
}

/** One LaTeX expression the solver generated (an answer, a problem as the rules read it): always math, never prices. */
export function renderLatex(tex: string, displayMode = false): string {
  return renderSpan(tex, displayMode);
}

/**
 * `$12 for adults and $` is two prices, not math: a span that starts with a digit and has a space in it.
 * Applied only to text a person (or a model echoing a person) wrote, never to the solver's own LaTeX.
 */
export function looksLikeCurrency(span: string): boolean {
  return /^\d/.test(span) && /\s/.test(span.trim());
}

/**
 * `currency: false` for text whose `$...$` spans are all the solver's own math (the symbolic steps' sentences);
 * the default reads `$12 and $5` in typed text as prices.
 */
export function renderMathText(text: string, { currency = true }: { currency?: boolean } = {}): string {
  const pattern = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|(?<!\\)\$([^$\n]+?)(?<!\\)\$|\\\(([\s\S]+?)\\\)/g;
  let html = '';
  let last = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    html += escapeHtml(text.slice(last, m.index)).replace(/\\\$/g, '$');
    if (currency && m[3] !== undefined && looksLikeCurrency(m[3])) {
      // Keep the closing "$" for the next span, which may open there.
      html += escapeHtml(`$${m[3]}`);
      last = m.index + m[0].length - 1;
      pattern.lastIndex = last;
      continue;
    }
    const display = m[1] ?? m[2];
    html += display !== undefined ? renderSpan(display, true) : renderSpan((m[3] ?? m[4])!, false);
    last = m.index + m[0].length;
  }
  html += escapeHtml(text.slice(last)).replace(/\\\$/g, '$');
  return html.replace(/\n/g, '<br>');
}
