export { siSdr } from './sisdr';
export { stoi, estoi, resampleOctave } from './stoi';
