// Prometheus metrics without a dependency: counters, gauges and histograms with labels, and the text
// exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). One registry per
// process (`metrics`), written by every layer, read by GET /metrics on the admin listener.

type Labels = Readonly<Record<string, string>>;

/** What a gauge read at scrape time returns: one value per label set. */
export type GaugeSamples = readonly { labels: Labels; value: number }[];

/** Label values escaped as the text format wants (backslash, double quote, newline). */
function formatLabels(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push([extra[0], extra[1]]);
  if (pairs.length === 0) return "";
  const escapeValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `{${pairs.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(",")}}`;
}

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort());

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  lines(): string[] | Promise<string[]>;
}

export class Counter implements Metric {
  readonly type = "counter";
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    this.#entry(labels).value += by;
  }

  /** The series of these labels, for hot paths: `inc` without building a key each time. */
  bind(labels: Labels): { inc(by?: number): void } {
    const entry = this.#entry(labels);
    return {
      inc: (by = 1) => {
        entry.value += by;
      },
    };
  }

  #entry(labels: Labels): { labels: Labels; value: number } {
    const key = keyOf(labels);
    let entry = this.#values.get(key);
    if (!entry) {
      entry = { labels, value: 0 };
      this.#values.set(key, entry);
    }
    return entry;
  }

  lines(): string[] {
    return [...this.#values.values()].map((e) => `${this.name}${formatLabels(e.labels)} ${e.value}`);
  }
}

export class Gauge implements Metric {
  readonly type = "gauge";
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  /** Read at scrape time instead of set (process memory, event loop lag, the outbound queue). */
  #collect: (() => GaugeSamples | Promise<GaugeSamples>) | undefined;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Reads the values at each scrape from `collect` (the latest caller's: one server per process). */
  collectFrom(collect: () => GaugeSamples | Promise<GaugeSamples>): void {
    this.#collect = collect;
  }

  set(labels: Labels, value: number): void {
    this.#values.set(keyOf(labels), { labels, value });
  }

  add(labels: Labels, by: number): void {
    const entry = this.#values.get(keyOf(labels));
    this.set(labels, (entry?.value ?? 0) + by);
  }

  async lines(): Promise<string[]> {
    const values = this.#collect ? await this.#collect() : [...this.#values.values()];
    return values.map((e) => `${this.name}${formatLabels(e.labels)} ${e.value}`);
  }
}

/** Latency buckets in seconds: from a cached FETCH to a slow disk. */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface HistogramSeries {
  readonly labels: Labels;
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  readonly type = "histogram";
  readonly #series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = SECONDS_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    this.#record(this.#entry(labels), value);
  }

  /** The series of these labels, for hot paths (every IMAP command): `observe` without building a key. */
  bind(labels: Labels): { observe(value: number): void } {
    const series = this.#entry(labels);
    return { observe: (value) => this.#record(series, value) };
  }

  #entry(labels: Labels): HistogramSeries {
    const key = keyOf(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  #record(series: HistogramSeries, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) series.counts[i] = (series.counts[i] as number) + 1;
    }
    series.sum += value;
    series.count++;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const s of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        out.push(`${this.name}_bucket${formatLabels(s.labels, ["le", String(bound)])} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${formatLabels(s.labels, ["le", "+Inf"])} ${s.count}`);
      out.push(`${this.name}_sum${formatLabels(s.labels)} ${s.sum}`);
      out.push(`${this.name}_count${formatLabels(s.labels)} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  #add<M extends Metric>(metric: M): M {
    const existing = this.#metrics.get(metric.name);
    if (existing) return existing as M;
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  /** A gauge that is set, or with `collect` one read at each scrape. */
  gauge(name: string, help: string, collect?: () => GaugeSamples | Promise<GaugeSamples>): Gauge {
    const gauge = this.#add(new Gauge(name, help));
    if (collect) gauge.collectFrom(collect);
    return gauge;
  }

  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** The text exposition of every metric: HELP, TYPE, then its samples. */
  async text(): Promise<string> {
    const out: string[] = [];
    for (const metric of this.#metrics.values()) {
      out.push(`# HELP ${metric.name} ${metric.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      out.push(`# TYPE ${metric.name} ${metric.type}`);
      out.push(...(await metric.lines()));
    }
    return `${out.join("\n")}\n`;
  }
}

/** The process's registry. */
export const metrics = new MetricsRegistry();

/** The metrics every layer writes, named once here so the dashboard (docs/grafana-dashboard.json) can rely on them. */
export const METRICS = {
  connectionsOpen: metrics.gauge("postfach_connections", "Open connections by protocol"),
  connectionsTotal: metrics.counter("postfach_connections_total", "Connections accepted by protocol"),
  bytesReceived: metrics.counter("postfach_received_bytes_total", "Bytes received from clients by protocol"),
  bytesSent: metrics.counter("postfach_sent_bytes_total", "Bytes sent to clients by protocol"),
  logins: metrics.counter("postfach_logins_total", "Logins by result (ok, failed)"),
  commands: metrics.histogram(
    "postfach_command_duration_seconds",
    "Commands by protocol and name, with their latency",
  ),
  deliveries: metrics.counter(
    "postfach_deliveries_total",
    "Recipients of LMTP/SMTP deliveries by outcome (delivered, temporary, permanent)",
  ),
  storeWrites: metrics.histogram(
    "postfach_store_write_duration_seconds",
    "Store write transactions, commit included, by backend (sqlite, postgres)",
  ),
  outboundSending: metrics.gauge(
    "postfach_outbound_sending_recipients",
    "Outbound recipients this node has leased from the queue and is sending now",
  ),
} as const;
