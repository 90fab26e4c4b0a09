import { Listeners } from "../actor/listeners.js";

/** Each batch a journal's group commit wrote, in this process: how many writes it held and how long it took (seconds). */
export const persistBatches = new Listeners<[writes: number, seconds: number]>();
