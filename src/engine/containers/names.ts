// Generated container names in docker's adjective_surname style ("focused_turing"). The lists are our
// own selection of adjectives and of scientists and engineers, like moby's namesgenerator.

const ADJECTIVES = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful',
  'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending',
  'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager',
  'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive',
  'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted', 'goofy', 'gracious',
  'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible', 'inspiring', 'intelligent',
  'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest',
  'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic',
  'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical', 'recursing',
  'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant',
  'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const SURNAMES = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bassi', 'bell',
  'benz', 'bhabha', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brown', 'carson',
  'cerf', 'chandrasekhar', 'chaum', 'clarke', 'colden', 'cori', 'curie', 'darwin', 'davinci', 'dijkstra',
  'dirac', 'easley', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi',
  'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg',
  'hertz', 'hodgkin', 'hofstadter', 'hopper', 'hypatia', 'jackson', 'jennings', 'johnson', 'kalam',
  'kepler', 'khorana', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'leakey', 'leavitt', 'lovelace',
  'lumiere', 'mahavira', 'margulis', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel', 'merkle',
  'montalcini', 'moore', 'morse', 'napier', 'nash', 'newton', 'nobel', 'noether', 'noyce', 'pare',
  'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride',
  'ritchie', 'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swartz', 'tesla',
  'thompson', 'torvalds', 'turing', 'varahamihira', 'volhard', 'wescoff', 'wiles', 'williams', 'wilson',
  'wing', 'wozniak', 'wright', 'yalow', 'yonath',
];

/** A random name; `retry` > 0 appends a digit like docker does after a collision. */
export function generateName(random: () => number = Math.random, retry = 0): string {
  const pick = (list: string[]): string => list[Math.floor(random() * list.length)];
  let name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
  // Steve Wozniak is not boring (moby's rule, kept for the joke).
  if (name === 'boring_wozniak') return generateName(random, retry);
  if (retry > 0) name += String(Math.floor(random() * 10));
  return name;
}

export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
