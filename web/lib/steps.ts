/**
 * Splits a solution into numbered steps for the answer view and the cards:
 * text, code (with its output), and the final answer. Format-aware through the
 * format's markers, so every model family renders the same way.
 */
import type { SolutionFormat } from '../../workers/solver/formats.ts';

export type Step =
  | { kind: 'text'; text: string }
  | { kind: 'code'; code: string; output?: string; complete: boolean };

export function splitSteps(format: SolutionFormat, solution: string): Step[] {
  const steps: Step[] = [];
  let rest = solution;
  const pushText = (chunk: string) => {
    const text = chunk
      .replace(/<\/?p>/g, '')
      .replace(/<\|(?:text|endofblock|endofmessage|assistant)\|>/g, '')
      .replace(/<\|im_end\|>|<\|endoftext\|>|<\/s>/g, '')
      .trim();
    if (text) steps.push({ kind: 'text', text });
  };
  for (;;) {
    const start = rest.indexOf(format.codeStart);
    if (start < 0) {
      pushText(rest);
      break;
    }
    pushText(rest.slice(0, start));
    const afterStart = rest.slice(start + format.codeStart.length);
    const stop = afterStart.indexOf(format.codeStop);
    if (stop < 0) {
      steps.push({ kind: 'code', code: afterStart.replace(format.codeEnd.trim(), '').trimEnd(), complete: false });
      break;
    }
    let code = afterStart.slice(0, stop);
    if (format.codeEnd && code.trimEnd().endsWith(format.codeEnd.trim())) {
      code = code.trimEnd().slice(0, code.trimEnd().length - format.codeEnd.trim().length);
    }
    rest = afterStart.slice(stop + format.codeStop.length);
    // The execution result, as the format feeds it back.
    const [before, after] = format.outputTemplate.split('{output}') as [string, string];
    let output: string | undefined;
    if (rest.startsWith(before)) {
      const body = rest.slice(before.length);
      const end = after.trim() ? body.indexOf(after.trim()) : body.search(/\n\n|$/);
      const cut = end < 0 ? body.length : end;
      output = body.slice(0, cut).replace(/\s+$/, '');
      rest = body.slice(cut + (after.trim() ? after.trim().length : 0));
    }
    const step: Step = { kind: 'code', code: code.replace(/\s+$/, ''), complete: true };
    if (output !== undefined) step.output = output;
    steps.push(step);
  }
  return steps;
}
