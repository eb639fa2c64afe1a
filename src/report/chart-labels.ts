// Where the headline chart's group labels go, computed so that no two can overlap: widths are
// estimated on the generous side, labels wrap at their natural breaks, and the groups are made
// wide enough for the widest line. Kept apart from the drawing so a test can check the geometry.

/**
 * A text's width in px, on the generous side of the sans-serif fonts the charts meet (DejaVu
 * Sans, Debian's default and among the widest, is within 0.9x of it for the class names; Arial,
 * Helvetica and San Francisco are narrower): narrow letters and punctuation 0.42 em, m and w
 * 1 em, other capitals 0.8 em, the rest 0.66 em.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    if (/[ijlftr()[\],.:;'|!\- ]/.test(ch)) em += 0.42;
    else if (/[mwMW]/.test(ch)) em += 1;
    else if (/[A-Z]/.test(ch)) em += 0.8;
    else em += 0.66;
  }
  return Math.ceil(em * fontSize);
}

/**
 * A label as lines no wider than `maxWidth`: broken greedily after a `-` or at a space
 * (`workers-native (avx512)` -> `workers-native` / `(avx512)` when it must). A single piece wider
 * than `maxWidth` stays whole (the caller sizes groups by `widestUnbreakable`).
 */
export function wrapLabel(label: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  // Pieces keep their trailing '-' or spaces, so joining them back gives the text exactly.
  const pieces = label.match(/[^\s-]+-?\s*|-\s*|\s+/g) ?? [];
  let line = '';
  for (const piece of pieces) {
    if (line !== '' && textWidth((line + piece).trimEnd(), fontSize) > maxWidth) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += piece;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** The widest piece `wrapLabel` never breaks, in px: the least width a label can be given. */
export function widestUnbreakable(label: string, fontSize: number): number {
  return Math.max(0, ...label.split(/[\s]+|(?<=-)/).map((w) => textWidth(w, fontSize)));
}

/** One group of bars; consecutive groups with the same `label` form one cluster, labelled once. */
export interface LabelledGroup {
  readonly label: string;
  /** Under the group itself, e.g. "GEMM" / "from float" of one kernel class. */
  readonly sublabel?: string;
}

export interface PlacedLabel {
  /** Horizontal centre, px from the chart's left edge. */
  readonly x: number;
  /** Baseline of the first line, px from the top of the label area. */
  readonly y: number;
  readonly lines: readonly string[];
  readonly fontSize: number;
  /** Estimated width of the widest line (textWidth). */
  readonly width: number;
  readonly kind: 'sublabel' | 'label';
}

export interface LabelLayout {
  /** Left edge of each group (the bars are centred in it). */
  readonly groupX: readonly number[];
  readonly groupWidth: number;
  /** Right edge of the last group. */
  readonly right: number;
  readonly labels: readonly PlacedLabel[];
  /** Height the labels need under the plot. */
  readonly height: number;
}

export const LABEL_FONT = 12;
export const SUBLABEL_FONT = 10;
const LINE = 15;
/** Space between neighbouring labels, and between clusters of groups. */
const LABEL_GAP = 6;
const CLUSTER_GAP = 18;

/**
 * Places the groups (each at least `barsWidth` wide) and their labels from `left`: sublabels
 * under their group, then each cluster's label under the cluster, wrapped to its width. Every
 * label's estimated extent stays within its group's or cluster's slot minus LABEL_GAP, so
 * neighbouring labels cannot meet.
 */
export function layoutGroupLabels(groups: readonly LabelledGroup[], barsWidth: number, left: number): LabelLayout {
  const clusters: { label: string; first: number; count: number }[] = [];
  groups.forEach((g, i) => {
    const last = clusters[clusters.length - 1];
    if (last && last.label === g.label && last.first + last.count === i) last.count++;
    else clusters.push({ label: g.label, first: i, count: 1 });
  });
  const hasSub = groups.some((g) => g.sublabel !== undefined);
  // Wide enough for the bars, each sublabel on one line, and each cluster's longest word.
  let groupWidth = barsWidth + 10;
  for (const g of groups) if (g.sublabel !== undefined) groupWidth = Math.max(groupWidth, textWidth(g.sublabel, SUBLABEL_FONT) + LABEL_GAP);
  for (const c of clusters) groupWidth = Math.max(groupWidth, Math.ceil((widestUnbreakable(c.label, LABEL_FONT) + LABEL_GAP - CLUSTER_GAP) / c.count));
  const groupX: number[] = [];
  let x = left + CLUSTER_GAP / 2;
  const labels: PlacedLabel[] = [];
  const subY = 16;
  const labelY = hasSub ? subY + LINE + 4 : subY;
  let lines = 0;
  for (const c of clusters) {
    const start = x;
    for (let i = 0; i < c.count; i++) {
      groupX.push(x);
      const sub = groups[c.first + i]!.sublabel;
      if (sub !== undefined) labels.push({ x: x + groupWidth / 2, y: subY, lines: [sub], fontSize: SUBLABEL_FONT, width: textWidth(sub, SUBLABEL_FONT), kind: 'sublabel' });
      x += groupWidth;
    }
    const slot = x - start + CLUSTER_GAP - LABEL_GAP;
    const wrapped = wrapLabel(c.label, slot, LABEL_FONT);
    lines = Math.max(lines, wrapped.length);
    labels.push({ x: (start + x) / 2, y: labelY, lines: wrapped, fontSize: LABEL_FONT, width: Math.max(...wrapped.map((l) => textWidth(l, LABEL_FONT))), kind: 'label' });
    x += CLUSTER_GAP;
  }
  return { groupX, groupWidth, right: x - CLUSTER_GAP / 2, labels, height: labelY + LINE * (lines - 1) + 8 };
}
