/**
 * Whether an MQTT topic matches a subscription filter: `+` matches one level, a trailing `#`
 * matches any number of levels (including none). Topics starting with `$` only match filters
 * that start with `$` too (MQTT 3.1.1, 4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  if (topic.startsWith('$') && !filter.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
