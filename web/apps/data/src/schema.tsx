// The warehouse's schema, loaded once per visit and shared by the pages. It
// also tells whether the signed-in user may use the query page at all (the
// API answers 403 to learners and instructors).
import { createContext, useContext, type ReactNode } from "react";
import { useAsync, useSession, type Async, type DataSchema } from "@lyceum/ui";

interface SchemaState {
  schema: Async<DataSchema>;
  reload(): void;
}

const Ctx = createContext<SchemaState | null>(null);

export function SchemaProvider({ children }: { children: ReactNode }) {
  const { client, user } = useSession();
  const [schema, reload] = useAsync((signal) => client.data.schema(signal), [client, user?.id]);
  return <Ctx.Provider value={{ schema, reload }}>{children}</Ctx.Provider>;
}

export function useSchema(): SchemaState {
  const v = useContext(Ctx);
  if (!v) throw new Error("useSchema outside SchemaProvider");
  return v;
}
