// Every name on Object.prototype's chain (and Function's, for good measure): a value from input
// that picks a table entry by one of these must find nothing (issue 15 item 1).
export const PROTOTYPE_NAMES: readonly string[] = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype), 'prototype', '__proto__']),
].filter((n) => n !== 'caller' && n !== 'arguments').sort();
