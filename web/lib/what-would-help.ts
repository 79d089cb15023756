/**
 * The one sentence the page says when it found no reliable answer: what would help, fitted to the case.
 * A larger model this device can run, when there is one; otherwise the problem written as math the rules
 * solve exactly, with an example built from the student's own numbers where the words say which operation.
 * Pure (tests/unit/tutor-text.test.ts).
 */

/** Numbers as the student wrote them ("$1,200" -> "1200", "25%" -> "25%"). */
function numbersIn(question: string): string[] {
  return [...question.matchAll(/(\d[\d,]*(?:\.\d+)?)(\s*%)?/g)].map((m) => m[1]!.replace(/,/g, '') + (m[2] ? '%' : ''));
}

/** Math the rules solve exactly, built from the problem's first two numbers when its words name the operation. */
export function rephrasing(question: string): string | undefined {
  const [a, b] = numbersIn(question);
  if (a === undefined || b === undefined) return undefined;
  const words = question.toLowerCase();
  const percent = [a, b].find((n) => n.endsWith('%'));
  const plain = [a, b].find((n) => !n.endsWith('%'));
  if (percent && plain) {
    if (/\b(off|discount|sale|less|decrease|fewer)\b/.test(words)) return `${100 - Number(percent.slice(0, -1))}% of ${plain}`;
    return `${percent} of ${plain}`;
  }
  if (percent) return undefined;
  if (/\b(gives?|gave|left|spends?|spent|eats?|ate|loses?|lost|fewer|less|minus|remain\w*|away|sold|sells?)\b/.test(words)) return `${a} - ${b}`;
  if (/\b(each|per|times|every|rows? of|packs? of|boxes of)\b/.test(words)) return `${a} * ${b}`;
  if (/\b(share[sd]?|split|equally|divided?|among)\b/.test(words)) return `${a} / ${b}`;
  if (/\b(total|altogether|in all|more|plus|together|combined|sum)\b/.test(words)) return `${a} + ${b}`;
  return undefined;
}

export function whatWouldHelp(question: string, better: { title: string } | undefined): string {
  if (better) return `What would help: a larger model this device can run, ${better.title} (in Models below).`;
  const math = rephrasing(question);
  if (math) return `What would help: writing it as math the rules solve exactly, for example “${math}” if that is what the problem asks.`;
  return 'What would help: writing it as an equation or expression the rules solve exactly, for example “Solve 2x + 3 = 7”.';
}
