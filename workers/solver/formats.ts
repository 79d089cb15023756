/**
 * What the solver does with a solution format (workers/formats.ts): builds the prompt, finds the code a
 * solution closed, feeds an output back as the format prescribes. The solver has one code path for all of them.
 */
import type { Segment } from '../contracts.ts';
import type { SolutionFormat } from '../formats.ts';

export { FORMAT_IDS, FORMATS, isSolutionFormatId, type SolutionFormat, type SolutionFormatId } from '../formats.ts';

export function buildPrompt(format: SolutionFormat, question: string): string {
  return format.prompt.replace('{question}', () => question);
}

export function formatOutput(format: SolutionFormat, output: string): string {
  return format.outputTemplate.replace('{output}', () => output);
}

/** The segments an output is fed back as: the format's text around it, the output itself, then the primer. */
export function outputSegments(format: SolutionFormat, output: string, error = false): Segment[] {
  const [before, after] = format.outputTemplate.split('{output}') as [string, string];
  const segments: Segment[] = [];
  if (before) segments.push({ kind: 'format', text: before });
  segments.push(error ? { kind: 'output', text: output, error: true } : { kind: 'output', text: output });
  if (after + format.primer) segments.push({ kind: 'format', text: after + format.primer });
  return segments;
}

/**
 * When `text` — what the model wrote since the last output — ends with the code stop
 * string and the block being closed is a code block the model opened, the code to run;
 * otherwise undefined. Output never reaches here, so a printed marker opens nothing.
 */
export function pendingCode(format: SolutionFormat, text: string): string | undefined {
  if (!text.endsWith(format.codeStop)) return undefined;
  const body = text.slice(0, text.length - format.codeStop.length);
  // MARIO's harness takes the step's first <code> (react.py, action_parser: re.search); the others the last opening.
  const start = format.execution === 'mario-python-tool' ? body.indexOf(format.codeStart) : body.lastIndexOf(format.codeStart);
  if (start < 0) return undefined;
  let code = body.slice(start + format.codeStart.length);
  // The block must still be open: no stop string (a closed block) after its start.
  if (code.includes(format.codeStop)) return undefined;
  if (format.execution === 'mario-python-tool') return code;
  if (format.codeEnd && code.endsWith(format.codeEnd)) code = code.slice(0, code.length - format.codeEnd.length);
  else if (format.codeEnd && code.trimEnd().endsWith(format.codeEnd.trim())) {
    code = code.trimEnd().slice(0, code.trimEnd().length - format.codeEnd.trim().length);
  } else if (format.requireClosedCode) return undefined;
  return code.replace(/\s+$/, '');
}

/** Code as the page shows it: without the Markdown fence and `python` tag a block may carry. */
export function displayCode(code: string): string {
  return code.replace(/^(\s|`)*(?:[pP][yY][tT][hH][oO][nN])?[ \t]*\n?/, '').replace(/(\s|`)*$/, '');
}
