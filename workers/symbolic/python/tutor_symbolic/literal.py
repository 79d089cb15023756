"""Literal equations and formulas solved for one letter ("solve for y: 3x + 2y = 12", "solve A = l w for w"):
the equation must be linear in that letter; the other letters stay as they are."""
import sympy as sp

from .steps import Decline, BadInput, Solution, step, tex
from .rules import rule


def solve_for(rel, var):
    lhs, rhs = rel.lhs.doit(), rel.rhs.doit()
    e = sp.expand(lhs - rhs)
    if not e.has(var):
        raise BadInput(f'The letter {var} asked for is not in the equation.')
    try:
        degree = sp.Poly(e, var).degree()
    except sp.PolynomialError:
        raise Decline(f'the equation is not linear in {var}')
    if degree != 1:
        raise Decline(f'the equation is not linear in {var}')
    a = e.coeff(var, 1)
    rest = sp.expand(e - a * var)
    if a.free_symbols and not a.is_polynomial():
        raise Decline('a coefficient the rules do not divide by')
    steps = [step('read', f'Solve for ${tex(var)}$: treat the other letters as numbers (a literal equation).', rel.latex())]
    left, right = a * var, -rest
    steps.append(step('collect-terms', f'Keep the terms with ${tex(var)}$ on the left and move every other term to the right.',
                      f'{sp.latex(sp.collect(left, var))} = {sp.latex(right)}'))
    if a.free_symbols:
        steps.append(step('factor-out', f'Factor ${tex(var)}$ out of the left side.', f'{tex(var)} \\left({sp.latex(a)}\\right) = {sp.latex(right)}'))
    value = sp.simplify(right / a)
    if a != 1:
        steps.append(step('divide-both-sides', f'Divide both sides by ${sp.latex(a)}$' + (' (assuming it is not zero).' if a.free_symbols else '.'),
                          f'{tex(var)} = {sp.latex(value)}'))
    value = sp.expand(value) if sp.count_ops(sp.expand(value)) <= sp.count_ops(value) else value
    if sp.simplify(e.subs(var, value)) != 0:
        raise Decline('the rule steps and the check disagree')
    steps.append(step('check', f'Substitute ${tex(var)} = {sp.latex(value)}$ back: both sides agree.', f'{tex(var)} = {sp.latex(value)}'))
    return Solution('literal', rel.latex(), steps, sp.latex(value))


@rule('literal', r'^make (?P<v>[a-z]) the subject of (?:the formula |the equation )?(?P<m>.+?)$',
      r'^(?:solve|rearrange) (?:the formula |the equation )?(?P<m>.+?) for (?P<v>[a-z])$',
      r'^(?:rearrange|solve) (?:the formula |the equation )?(?P<m>.+?) to make (?P<v>[a-z]) the subject$')
def literal(p):
    from .core import relations_of, solve_relations
    rels = relations_of(p.segment('m'))
    if rels is None:
        raise Decline('nothing to solve')
    return solve_relations(rels, p.groups['v'])
