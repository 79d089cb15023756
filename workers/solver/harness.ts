/**
 * How a format's reference harness executes a block and renders its result.
 *
 * - `tutor`: workers/python/runner.py's rules (stdout, else the last expression's
 *   repr; errors as `Type: message`; 400 characters then `...`), which the demo
 *   package was trained on.
 * - `mario-python-tool`: MARIO's python_tool.py `PythonInterpreter._base_run`, run in
 *   the solution's session by a small Python driver: the block is split at its print
 *   statements and each value is labelled with the printed expression (`x: 3`); only
 *   the last statement of each piece is captured, stdout's trailing newline is kept,
 *   a value is shown with str(), errors read `Type: message`.
 * - `qwen-python-executor`: Qwen2.5-Math's python_executor.py `PythonExecutor.execute`
 *   (auto mode) and `batch_apply`: stdout when the last line prints, else the last
 *   line's value by str(); `Done`-report on success, the traceback's last line on
 *   failure; both stripped and cut to the first 200 + last 200 characters around `...`.
 *
 * The drivers print their raw result in a small length-prefixed record; the rendering
 * rules are applied here, in TypeScript. Each raw string keeps at most its first and
 * last RAW_KEEP characters (the runner caps what it returns).
 */
import type { SolutionFormat } from './formats.ts';
import type { PythonRunResult } from '../types.ts';

/** Characters kept from each end of a raw result longer than twice this. */
export const RAW_KEEP = 600;
const RECORD = 'tutor-harness 1';

/** Python's str.isspace() characters, for strip() as Python does it. */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const leading = new RegExp(`^${PY_SPACE}+`, 'u');
const trailing = new RegExp(`${PY_SPACE}+$`, 'u');

/** Packs strings into the record the drivers print: header line, then each kept head and tail. */
const PACK_PY = `
    def pack(failed, *fields):
        keep, sizes, body = ${RAW_KEEP}, [], []
        for s in fields:
            s = str(s)
            head, tail = (s, '') if len(s) <= 2 * keep else (s[:keep], s[-keep:])
            units = lambda t: len(t.encode('utf-16-le', 'surrogatepass')) // 2
            sizes.append(f'{len(s)},{units(head)},{units(tail)}')
            body.append(head + tail)
        return f'${RECORD} {int(failed)} ' + ' '.join(sizes) + '\\n' + ''.join(body)`;

// MARIO-Math-Reasoning/MARIO python_tool.py, PythonInterpreter._base_run and sanitize_input, with
// react.py action_parser's `<code>[\\s]*(.*)` and `.strip(" ").strip('"')`; globals are the session's.
const MARIO_PY = `
def _tutor_harness(query):
    import ast, io, re, sys
    from contextlib import redirect_stdout
    scope = globals()
${PACK_PY}
    def extract_content(text):
        matches = re.findall(r'print\\((.*?)\\)', text)
        if len(matches) < 1:
            return ""
        return " ".join(matches) + ":"
    def is_print_node(node):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and node.value.func.id == "print":
            return True
        elif isinstance(node, (ast.If, ast.While, ast.For, ast.FunctionDef)):
            for sub_node in node.body:
                if is_print_node(sub_node):
                    return True
        return False
    def sub_run(bodys):
        io_buffer = io.StringIO()
        exec(ast.unparse(ast.Module(bodys[:-1], type_ignores=[])), scope)
        module_end_str = ast.unparse(ast.Module(bodys[-1:], type_ignores=[]))
        try:
            with redirect_stdout(io_buffer):
                ret = eval(module_end_str, scope)
                if ret is None:
                    return True, io_buffer.getvalue()
                else:
                    return True, ret
        except Exception:
            with redirect_stdout(io_buffer):
                exec(module_end_str, scope)
            return False, io_buffer.getvalue()
    def base_run(query):
        query = re.sub(r"^\\s*", "", query.strip()).strip(" ").strip('"')
        query = re.sub(r"^(\\s|\`)*(?i:python)?\\s*", "", query)
        query = re.sub(r"(\\s|\`)*$", "", query)
        tree = ast.parse(query)
        print_indexs = [idx for idx, node in enumerate(tree.body) if is_print_node(node)]
        if len(print_indexs) == 0:
            print_indexs = [len(tree.body) - 1]
        if len(print_indexs) == 1:
            run_flag, ret = sub_run(tree.body)
            return f"{ret}"
        ret_strs = []
        for start_idx, end_idx in zip([-1] + print_indexs, print_indexs):
            node_source = ast.get_source_segment(query, tree.body[end_idx])
            run_flag, ret = sub_run(tree.body[start_idx + 1:end_idx + 1])
            ret_strs.append(f"{extract_content(node_source)} {ret}")
        return "".join(ret_strs)
    failed = False
    with redirect_stdout(io.StringIO()):
        try:
            observation = base_run(query)
        except Exception as e:
            observation, failed = "{}: {}".format(type(e).__name__, str(e)), True
    sys.stdout.write(pack(failed, observation))
`;

// QwenLM/Qwen2.5-Math evaluation/python_executor.py: GenericRuntime.exec_code / eval_code,
// PythonExecutor.process_generation_to_code and execute(auto_mode=True); globals are the session's.
const QWEN_PY = `
def _tutor_harness(program):
    import io, pickle, re, sys, traceback
    from contextlib import redirect_stdout
    scope = globals()
${PACK_PY}
    def exec_code(code_piece):
        if re.search(r'(\\s|^)?input\\(', code_piece):
            raise RuntimeError()
        exec(code_piece, scope)
    def eval_code(expr):
        return eval(expr, scope)
    code = program.strip().split('\\n')
    with redirect_stdout(io.StringIO()):
        try:
            if "print(" in code[-1]:
                program_io = io.StringIO()
                with redirect_stdout(program_io):
                    exec_code('\\n'.join(code))
                program_io.seek(0)
                result = program_io.read()
            else:
                exec_code('\\n'.join(code[:-1]))
                result = eval_code(code[-1])
            report = "Done"
            str(result)
            pickle.dumps(result)
        except KeyboardInterrupt:
            raise
        except BaseException:
            result = ''
            report = traceback.format_exc().split('\\n')[-2]
    sys.stdout.write(pack(report != "Done", str(result), str(report)))
`;

/** A Python string literal for `text` (JSON's escapes are Python's). */
const pyString = (text: string) => JSON.stringify(text);

/** The program the session runs for the model's block. */
export function program(format: SolutionFormat, code: string): string {
  switch (format.execution) {
    case 'tutor':
      return code;
    case 'mario-python-tool':
      return `${MARIO_PY}_tutor_harness(${pyString(code)})\ndel _tutor_harness\n`;
    case 'qwen-python-executor':
      return `${QWEN_PY}_tutor_harness(${pyString(code)})\ndel _tutor_harness\n`;
  }
}

interface RawField {
  /** Length in code points of the whole string. */
  length: number;
  head: string;
  /** Empty when the whole string is in `head`. */
  tail: string;
}

/** Reads a driver's record from stdout; undefined when the driver did not finish (a time limit, a broken session). */
export function readRecord(stdout: string | undefined): { failed: boolean; fields: RawField[] } | undefined {
  if (!stdout?.startsWith(`${RECORD} `)) return undefined;
  const newline = stdout.indexOf('\n');
  if (newline < 0) return undefined;
  const [failed, ...sizes] = stdout.slice(RECORD.length + 1, newline).split(' ');
  let at = newline + 1;
  const fields: RawField[] = [];
  for (const size of sizes) {
    const [length, head, tail] = size.split(',').map(Number) as [number, number, number];
    fields.push({ length, head: stdout.slice(at, at + head), tail: stdout.slice(at + head, at + head + tail) });
    at += head + tail;
  }
  if (at !== stdout.length) return undefined;
  return { failed: failed === '1', fields };
}

const codePoints = (s: string) => Array.from(s);

/** Qwen's `str(s).strip()` then `truncate(s, 400)`: first 200 + `...` + last 200 characters. */
function qwenField(field: RawField): string {
  const head = field.head.replace(leading, '');
  if (!field.tail) {
    const whole = codePoints(head.replace(trailing, ''));
    return whole.length > 400 ? `${whole.slice(0, 200).join('')}...${whole.slice(-200).join('')}` : whole.join('');
  }
  // Longer than 2 x RAW_KEEP: only its ends are here, which is all the cut keeps.
  const tail = field.tail.replace(trailing, '');
  return `${codePoints(head).slice(0, 200).join('')}...${codePoints(tail).slice(-200).join('')}`;
}

/** MARIO feeds the whole observation back; the tutor keeps its first and last RAW_KEEP characters around `...`. */
function marioField(field: RawField): string {
  return field.tail ? `${field.head}...${field.tail}` : field.head;
}

/** The output text the format feeds back for a run, and whether the run failed. */
export function observation(format: SolutionFormat, run: PythonRunResult): { text: string; error: boolean } {
  if (format.execution === 'tutor') return { text: run.output, error: Boolean(run.error) };
  const record = readRecord(run.stdout);
  if (format.execution === 'mario-python-tool') {
    // react.py action_execution: @timeout(30) raises timeout_decorator.TimeoutError, whose str() is repr('Timed Out').
    if (run.timedOut) return { text: "TimeoutError: 'Timed Out'", error: true };
    if (!record) return { text: run.error ? `${run.error.type}: ${run.error.message}` : '', error: true };
    return { text: marioField(record.fields[0]!), error: record.failed };
  }
  // batch_apply: a run past the time limit reads ("", "Timeout Error").
  if (run.timedOut) return { text: 'Timeout Error', error: true };
  if (!record) return { text: run.error ? `${run.error.type}: ${run.error.message}` : '', error: true };
  const [result, report] = record.fields.map(qwenField) as [string, string];
  return { text: result ? result : report, error: record.failed };
}
