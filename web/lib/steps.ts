/**
 * Splits a solution into numbered steps for the answer view and the cards: text,
 * code (with its output), and the final answer. Format-aware through the format's
 * markers, so every model family renders the same way.
 *
 * Markers are read only in what the model wrote. Code output is its own segment: it is
 * shown as the output of the block before it, whatever it contains (blank lines,
 * fences, final-answer lines). The format's own text around output is not shown.
 */
import { displayCode, type SolutionFormat } from '../../workers/solver/formats.ts';
import type { Segment } from '../../workers/contracts.ts';

export type Step =
  | { kind: 'text'; text: string }
  /** `error`: the run failed (set for outputs read from segments; absent for records without them). */
  | { kind: 'code'; code: string; output?: string; error?: boolean; complete: boolean };

function cleanText(chunk: string): string {
  return chunk
    .replace(/<\/?p>/g, '')
    .replace(/<\|(?:text|endofblock|endofmessage|assistant)\|>/g, '')
    .replace(/<\|im_end\|>|<\|endoftext\|>|<\/s>/g, '')
    .trim();
}

function cleanCode(format: SolutionFormat, code: string): string {
  if (format.codeEnd && code.trimEnd().endsWith(format.codeEnd.trim())) {
    code = code.trimEnd().slice(0, code.trimEnd().length - format.codeEnd.trim().length);
  }
  code = code.replace(/\s+$/, '');
  return format.execution === 'mario-python-tool' ? displayCode(code) : code;
}

/** Text and code steps of what the model wrote between two outputs. */
function splitModelText(format: SolutionFormat, text: string, steps: Step[]): void {
  let rest = text;
  for (;;) {
    const start = rest.indexOf(format.codeStart);
    if (start < 0) {
      const shown = cleanText(rest);
      if (shown) steps.push({ kind: 'text', text: shown });
      return;
    }
    const before = cleanText(rest.slice(0, start));
    if (before) steps.push({ kind: 'text', text: before });
    const afterStart = rest.slice(start + format.codeStart.length);
    const stop = afterStart.indexOf(format.codeStop);
    if (stop < 0) {
      steps.push({ kind: 'code', code: cleanCode(format, afterStart.replace(format.codeEnd.trim(), '')), complete: false });
      return;
    }
    steps.push({ kind: 'code', code: cleanCode(format, afterStart.slice(0, stop)), complete: true });
    rest = afterStart.slice(stop + format.codeStop.length);
  }
}

/** Steps of a solution; a plain string is a record saved before segments existed. */
export function splitSteps(format: SolutionFormat, solution: readonly Segment[] | string): Step[] {
  if (typeof solution === 'string') return splitLegacy(format, solution);
  const steps: Step[] = [];
  let model = '';
  for (const segment of solution) {
    if (segment.kind === 'model') model += segment.text;
    if (segment.kind !== 'output') continue;
    splitModelText(format, model, steps);
    model = '';
    const last = steps.at(-1);
    if (last?.kind === 'code' && last.complete && last.output === undefined) {
      last.output = segment.text;
      last.error = Boolean(segment.error);
    } else {
      // Output with no block of the model's before it (not produced by the loop): still shown as output.
      steps.push({ kind: 'code', code: '', output: segment.text, error: Boolean(segment.error), complete: true });
    }
  }
  splitModelText(format, model, steps);
  return steps;
}

/** Records without segments: outputs are found where the format's output template puts them. */
function splitLegacy(format: SolutionFormat, solution: string): Step[] {
  const steps: Step[] = [];
  let rest = solution;
  for (;;) {
    const start = rest.indexOf(format.codeStart);
    if (start < 0) {
      splitModelText(format, rest, steps);
      break;
    }
    splitModelText(format, rest.slice(0, start), steps);
    const afterStart = rest.slice(start + format.codeStart.length);
    const stop = afterStart.indexOf(format.codeStop);
    if (stop < 0) {
      steps.push({ kind: 'code', code: cleanCode(format, afterStart.replace(format.codeEnd.trim(), '')), complete: false });
      break;
    }
    const code = cleanCode(format, afterStart.slice(0, stop));
    rest = afterStart.slice(stop + format.codeStop.length);
    const [before, after] = format.outputTemplate.split('{output}') as [string, string];
    let output: string | undefined;
    if (rest.startsWith(before)) {
      const body = rest.slice(before.length);
      const end = after.trim() ? body.indexOf(after.trim()) : body.search(/\n\n|$/);
      const cut = end < 0 ? body.length : end;
      output = body.slice(0, cut).replace(/\s+$/, '');
      rest = body.slice(cut + (after.trim() ? after.trim().length : 0));
    }
    const step: Step = { kind: 'code', code, complete: true };
    if (output !== undefined) step.output = output;
    steps.push(step);
  }
  return steps;
}
