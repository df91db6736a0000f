// The one progress type lives below every folder (src/progress); `Stage` is renamed here because the
// experiment plan has its own Stage.
export { progressReporter, type Progress, type ProgressCallback, type ProgressReporter, type Stage as ProgressStage } from '../progress/index.js';
