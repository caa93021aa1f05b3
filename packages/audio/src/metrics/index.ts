export { siSdr } from './sisdr';
export { stoi, estoi, resampleOctave } from './stoi';
export { scoreFiles } from './score-files';
export type { FileScores } from './score-files';
