/**
 * "Check my answer": grades a student's answer against the chosen one with the
 * solver's equivalence checker and says, kindly, why it counts or not.
 */
import { answersEquivalent, problemVariables, type SymbolicCheck } from '../../workers/solver/equivalence.ts';
import { cleanAnswer } from '../../workers/solver/normalize.ts';

export interface AnswerFeedback {
  correct: boolean;
  message: string;
}

/** `problem`, when given, names the letters used as variables: those are never taken for units. */
export async function checkStudentAnswer(student: string, expected: string, symbolic?: SymbolicCheck, problem?: string): Promise<AnswerFeedback> {
  const mine = student.trim();
  if (mine === '') return { correct: false, message: 'Type your answer first.' };
  const verdict = await answersEquivalent(mine, expected, symbolic, { variables: problem ? problemVariables(problem) : [] });
  const shown = cleanAnswer(expected).text || expected;
  if (!verdict.equal) {
    if (verdict.how === 'undecided') {
      return { correct: false, message: `Could not confirm that ${mine} equals ${shown}. Compare your steps with the solution.` };
    }
    return { correct: false, message: `Not quite: the tutor's answer is ${shown}. Try the hints to see where yours differs.` };
  }
  switch (verdict.how) {
    case 'identical':
    case 'normalised':
      return { correct: true, message: 'Correct!' };
    case 'numeric':
      return { correct: true, message: `Correct! ${mine} is the same number as ${shown}, written another way.` };
    case 'percent':
      return { correct: true, message: `Correct! ${mine} and ${shown} are the same amount, one as a percentage.` };
    case 'structure':
      return { correct: true, message: `Correct! Your answer has the same parts as ${shown}.` };
    case 'symbolic':
      return { correct: true, message: `Correct! ${mine} simplifies to the same expression as ${shown}.` };
    default:
      return { correct: true, message: 'Correct!' };
  }
}
