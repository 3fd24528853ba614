// Number, size and time formatting shared by the pages.

/** 1234567 -> "1,234,567". */
export function count(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
}

/** A per-second rate with one decimal below 100. */
export function perSecond(n) {
  return `${n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')}/s`;
}

/** Bytes in B, KiB, MiB or GiB. */
export function bytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** A duration in ms as "850 ms", "12 s", "3 min 20 s", "2 h 5 min", "4 d". */
export function duration(ms) {
  if (typeof ms !== 'number') return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Epoch ms as a local date and time. */
export function when(ms) {
  return typeof ms === 'number' ? new Date(ms).toLocaleString() : '–';
}
