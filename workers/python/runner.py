# Runs one code block of one solution, MARIO style: the block's stdout is its output;
# when it prints nothing, the value of its last expression is shown instead. Each
# solution has its own globals; nothing is shared between solutions.
import ast
import io
import os
import shutil
import sys
import time
import traceback

_sessions = {}
_files = {}
_FILE = '<solution>'
_MAX_SESSION_FILE_BYTES = 8 * 1024 * 1024


def _restore_files(session, home):
    # Only the running solution's files are on disk: other solutions' files are held
    # in memory while it runs, out of its reach.
    shutil.rmtree('/sessions', ignore_errors=True)
    os.makedirs(home, exist_ok=True)
    for rel, data in _files.pop(session, {}).items():
        path = os.path.join(home, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as fh:
            fh.write(data)


def _stash_files(session, home):
    kept, total = {}, 0
    for root, _dirs, names in os.walk(home):
        for name in names:
            path = os.path.join(root, name)
            try:
                with open(path, 'rb') as fh:
                    data = fh.read(_MAX_SESSION_FILE_BYTES - total + 1)
            except OSError:
                continue
            total += len(data)
            if total > _MAX_SESSION_FILE_BYTES:
                break
            kept[os.path.relpath(path, home)] = data
    _files[session] = kept
    shutil.rmtree('/sessions', ignore_errors=True)


def _limit(text, max_chars):
    if max_chars and len(text) > max_chars:
        return text[:max_chars] + '...', True
    return text, False


def _error_line(exc):
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == _FILE:
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename == _FILE:
        line = exc.lineno
    return line


def run(session, code, max_chars):
    scope = _sessions.get(session)
    if scope is None:
        scope = {'__name__': '__main__', '__builtins__': __builtins__}
        _sessions[session] = scope
    # Each solution works in its own folder, removed when the solution ends.
    home = _home(session)
    _restore_files(session, home)
    previous_dir = os.getcwd()
    os.chdir(home)
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    started = time.perf_counter()
    value = None
    error = None
    try:
        tree = ast.parse(code, _FILE, 'exec')
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, _FILE, 'exec'), scope)
        if last is not None:
            result = eval(compile(last, _FILE, 'eval'), scope)
            if result is not None:
                value = repr(result)
    except KeyboardInterrupt:
        error = {'type': 'TimeoutError', 'message': 'the code ran past its time limit and was stopped', 'line': None}
    except RecursionError as exc:
        error = {'type': 'RecursionError', 'message': str(exc) or 'maximum recursion depth exceeded', 'line': _error_line(exc)}
    except MemoryError as exc:
        error = {'type': 'MemoryError', 'message': str(exc) or 'out of memory', 'line': _error_line(exc)}
    except BaseException as exc:  # SystemExit included: the code may not end the interpreter
        error = {'type': type(exc).__name__, 'message': str(exc), 'line': _error_line(exc)}
    finally:
        sys.stdout, sys.stderr = saved
        try:
            os.chdir(previous_dir)
        except OSError:
            os.chdir('/')
        _stash_files(session, home)
    stdout = out.getvalue()
    stderr = err.getvalue()
    if error is not None:
        shown = stdout + (f"{error['type']}: {error['message']}" if error['message'] else error['type'])
    elif stdout:
        shown = stdout
    elif value is not None:
        shown = value
    else:
        shown = ''
    shown, truncated = _limit(shown.rstrip('\n'), max_chars)
    stdout, _ = _limit(stdout, 10 * max_chars if max_chars else 0)
    stderr, _ = _limit(stderr, 10 * max_chars if max_chars else 0)
    return {
        'output': shown,
        'stdout': stdout,
        'stderr': stderr,
        'truncated': truncated,
        'error': error,
        'durationMs': (time.perf_counter() - started) * 1000,
    }


def _home(session):
    safe = ''.join(ch if ch.isalnum() or ch in '-_' else '_' for ch in session)[:80]
    return f'/sessions/{safe}'


def close(session):
    _sessions.pop(session, None)
    _files.pop(session, None)
