"""The step-by-step symbolic solver: rule modules, one dispatcher, step records (see ../../README.md).

    import tutor_symbolic
    tutor_symbolic.solve_json('{"text": "Solve for x: 3x-7=2x+5", "math": []}')

returns JSON: {"status": "solved", "kind", "problem", "steps", "answer", "answerWords"},
{"status": "declined", "kind", "reason"} (kind: not-recognised, recognised-not-finished or bad-input; see
steps.DECLINE_KINDS) or {"status": "parse-error", "message", "read", "position"}. No traceback ever leaves this function.
"""
import json
import warnings

from .steps import Decline, ParseFailure

__all__ = ['solve', 'solve_json']


def solve(request):
    from .dispatch import solve_problem
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return solve_problem(request).to_dict()
        except ParseFailure as failure:
            return {'status': 'parse-error', 'message': failure.message, 'read': failure.read, 'position': failure.position}
        except Decline as decline:
            return {'status': 'declined', 'kind': decline.kind, 'reason': decline.reason}
        except KeyboardInterrupt:
            raise
        except RecursionError:
            return {'status': 'declined', 'kind': 'recognised-not-finished', 'reason': 'the expression is too deeply nested'}
        except Exception as error:  # a sympy failure inside a rule: the rules cannot explain this case
            return {'status': 'declined', 'kind': 'recognised-not-finished', 'reason': f'a rule could not finish ({type(error).__name__})'}


def solve_json(request_json):
    return json.dumps(solve(json.loads(request_json)))
