/** What sits at a sequence position; stats and SAE readers use text positions only. */
export const TOKEN_KIND = { text: 0, bos: 1, pad: 2 } as const;
export type TokenKind = (typeof TOKEN_KIND)[keyof typeof TOKEN_KIND];
