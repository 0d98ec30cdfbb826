// Builds the process logger: pino JSON lines, or pino-pretty on a terminal. Nothing is redacted by content,
// so callers must never log passwords, SASL payloads or message content (ARCHITECTURE.md "Logs").
import type { Writable } from "node:stream";
import { pino } from "pino";
import pretty from "pino-pretty";
import type { Logger } from "../kit/logger.js";

export interface LogOptions {
  readonly level: "trace" | "debug" | "info" | "warn" | "error" | "silent";
  /** `auto`: pretty when stdout is a TTY, JSON otherwise. */
  readonly format: "auto" | "json" | "pretty";
}

/** A pino logger that also satisfies kit's Logger; `destination` (default stdout) exists for tests. */
export function createLogger(options: LogOptions, destination?: Writable): pino.Logger & Logger {
  const isPretty =
    options.format === "pretty" || (options.format === "auto" && process.stdout.isTTY === true);
  const pinoOptions: pino.LoggerOptions = { level: options.level, base: { pid: process.pid } };
  if (isPretty) {
    const stream = pretty({
      colorize: destination === undefined && process.stdout.isTTY === true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      ...(destination !== undefined && { destination }),
    });
    return pino(pinoOptions, stream);
  }
  return destination === undefined ? pino(pinoOptions) : pino(pinoOptions, destination);
}
