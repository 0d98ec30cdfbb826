// Opens the store and services for one CLI command and closes them afterwards, whatever happens.
import { openServices, type Services } from "../services.js";
import type { ParsedArgs } from "./command.js";
import { loadCliConfig } from "./load-cli-config.js";

export async function withServices<T>(args: ParsedArgs, fn: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices(await loadCliConfig(args));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
