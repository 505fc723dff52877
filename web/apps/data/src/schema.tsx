// The warehouse's schema, loaded once per visit and shared by the pages. It
// also tells whether the signed-in user may use the query page at all (the
// API answers 403 to learners), and for instructors which courses their
// queries read.
import { createContext, useContext, type ReactNode } from "react";
import { ApiError, useAsync, useSession, type Async, type DataSchema } from "@lyceum/ui";

interface SchemaState {
  schema: Async<DataSchema>;
  reload(): void;
}

const Ctx = createContext<SchemaState | null>(null);

export function SchemaProvider({ children }: { children: ReactNode }) {
  const { client, user } = useSession();
  // Nothing to load for a visitor who is not signed in (the page asks them to).
  const [schema, reload] = useAsync(
    (signal) => (user ? client.data.schema(signal) : new Promise<never>(() => {})),
    [client, user?.id],
  );
  return <Ctx.Provider value={{ schema, reload }}>{children}</Ctx.Provider>;
}

/** True when the API said the signed-in user may not use the query page. */
export function isForbidden(schema: Async<DataSchema>): boolean {
  return schema.state === "error" && schema.error instanceof ApiError && schema.error.status === 403;
}

export function useSchema(): SchemaState {
  const v = useContext(Ctx);
  if (!v) throw new Error("useSchema outside SchemaProvider");
  return v;
}
