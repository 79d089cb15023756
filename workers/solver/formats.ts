/**
 * Solution formats as data: how a family of models is prompted, where its code
 * blocks begin and end, how an execution result is fed back, and where its final
 * answer is. The solver has one code path for all of them.
 */
import type { AnswerSource } from './answer.ts';

export type SolutionFormatId = 'mario' | 'qwen25-math-tir' | 'mathcoder';

export interface SolutionFormat {
  id: SolutionFormatId;
  title: string;
  /** Prompt with `{question}` in place of the problem. */
  prompt: string;
  /** Text that opens a code block (the code follows it). */
  codeStart: string;
  /** Text that closes the code itself, before the stop string (e.g. the closing fence). */
  codeEnd: string;
  /** Generation pauses when the text ends with this; then the code is run. */
  codeStop: string;
  /** Appended after the stop string, with `{output}` replaced by the execution result. */
  outputTemplate: string;
  /** Strings that end a solution. */
  endStrings: string[];
  answerSources: AnswerSource[];
  /** At most this many code executions per solution (MARIO: 8). */
  maxCodeCalls: number;
}

export const FORMATS: Record<SolutionFormatId, SolutionFormat> = {
  mario: {
    id: 'mario',
    title: "MARIO (text steps in <p>, code steps in <code>, 'Output:' results, 'Final Answer: $...$')",
    prompt: 'Question: {question}\n\nSolution:\n\n',
    codeStart: '<code>\n```python\n',
    codeEnd: '\n```\n',
    codeStop: '</code>',
    outputTemplate: '\nOutput: {output}\n\n',
    endStrings: ['</s>', '<|endoftext|>'],
    answerSources: ['final-answer', 'boxed'],
    maxCodeCalls: 8,
  },
  'qwen25-math-tir': {
    id: 'qwen25-math-tir',
    title: 'Qwen2.5-Math tool-integrated reasoning (```python blocks, ```output results, \\boxed{} answers)',
    prompt:
      '<|im_start|>system\nPlease integrate natural language reasoning with programs to solve the problem above, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n',
    codeStart: '```python\n',
    codeEnd: '\n```\n',
    codeStop: '```output',
    outputTemplate: '\n{output}\n```\n',
    endStrings: ['<|im_end|>', '<|endoftext|>'],
    answerSources: ['boxed'],
    maxCodeCalls: 8,
  },
  mathcoder: {
    id: 'mathcoder',
    title: 'MathCoder language-code-execution blocks (<|text|>, <|code|>, <|execution|>)',
    prompt:
      '<|system|><|text|>Below is a math problem. Please solve it step by step.<|endofblock|><|endofmessage|><|user|><|text|>{question}<|endofblock|><|endofmessage|><|assistant|>',
    codeStart: '<|code|>',
    codeEnd: '',
    codeStop: '<|endofblock|>',
    outputTemplate: '<|execution|>{output}<|endofblock|>',
    endStrings: ['<|endofmessage|>', '</s>'],
    answerSources: ['boxed', 'final-answer'],
    maxCodeCalls: 8,
  },
};

export function buildPrompt(format: SolutionFormat, question: string): string {
  return format.prompt.replace('{question}', () => question);
}

export function formatOutput(format: SolutionFormat, output: string): string {
  return format.outputTemplate.replace('{output}', () => output);
}

/**
 * When `text` (the solution so far) ends with the code stop string and the block
 * being closed is a code block, the code to run; otherwise undefined.
 */
export function pendingCode(format: SolutionFormat, text: string): string | undefined {
  if (!text.endsWith(format.codeStop)) return undefined;
  const body = text.slice(0, text.length - format.codeStop.length);
  const start = body.lastIndexOf(format.codeStart);
  if (start < 0) return undefined;
  let code = body.slice(start + format.codeStart.length);
  // The block must still be open: no stop string (a closed block) after its start.
  if (code.includes(format.codeStop)) return undefined;
  if (format.codeEnd && code.endsWith(format.codeEnd)) code = code.slice(0, code.length - format.codeEnd.length);
  else if (format.codeEnd && code.trimEnd().endsWith(format.codeEnd.trim())) {
    code = code.trimEnd().slice(0, code.trimEnd().length - format.codeEnd.trim().length);
  }
  return code.replace(/\s+$/, '');
}
