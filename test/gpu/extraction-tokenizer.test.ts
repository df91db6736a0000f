import { tokenizerSuite } from '../helpers/tokenizer-suite.js';

tokenizerSuite('Chromium');
