/**
 * Whether a topic binding pattern matches a routing key, by RabbitMQ's rules: words are
 * separated by dots, `*` stands for exactly one word and `#` for zero or more.
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split('.'), 0, routingKey.split('.'), 0);
}

function matchWords(pattern: string[], p: number, key: string[], k: number): boolean {
  if (p === pattern.length) return k === key.length;
  const word = pattern[p];
  if (word === '#') {
    // Collapse runs of '#'; then let it swallow 0 … all remaining words.
    if (p + 1 < pattern.length && pattern[p + 1] === '#') return matchWords(pattern, p + 1, key, k);
    for (let skip = k; skip <= key.length; skip++) {
      if (matchWords(pattern, p + 1, key, skip)) return true;
    }
    return false;
  }
  if (k === key.length) return false;
  if (word !== '*' && word !== key[k]) return false;
  return matchWords(pattern, p + 1, key, k + 1);
}
