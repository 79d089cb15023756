"""The dispatcher: the reader names the intent, the registry (rules.py) gives its one handler."""
from .reader import read
from .rules import HANDLERS, load
from .steps import Decline

load()


def solve_problem(request):
    problem = read(request)
    handler = HANDLERS.get(problem.intent)
    if handler is None:
        raise Decline(f'no rule answers the intent {problem.intent}')
    with problem.reading():
        solution = handler(problem)
    solution.steps[:0] = problem.notes()
    return solution
