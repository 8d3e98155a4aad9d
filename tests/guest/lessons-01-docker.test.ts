// The solution bot over every lesson of lessons/01-docker, in one restored guest (tests/helpers/solution-bot.ts):
// for each step the check fails, the step's solution runs in the learner's terminal, the check passes.

import { describeLessonsOfPart } from '../helpers/solution-bot';

describeLessonsOfPart('01-docker');
