/**
 * Character codes that the byte readers of the log parsers compare bytes with (ASCII, which
 * UTF-8 and Latin-1 share), named once for all of them.
 */
export const CARRIAGE_RETURN = 13;
export const NEWLINE = 10;
export const SPACE = 32;
export const DOUBLE_QUOTE = 34;
export const SINGLE_QUOTE = 39;
export const COMMA = 44;
export const MINUS = 45;
export const DOT = 46;
export const DIGIT_0 = 48;
export const DIGIT_9 = 57;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const LOWER_A = 97;
export const LOWER_Z = 122;
export const CHAR_C = 67;
export const CHAR_I = 73;
export const CHAR_N = 78;
export const CHAR_O = 79;
export const CHAR_Q = 81;
export const CHAR_S = 83;
export const CHAR_W = 87;
export const CHAR_Z = 90;
export const CHAR_P_LOWER = 112;
export const CHAR_S_LOWER = 115;
export const CHAR_T_LOWER = 116;
