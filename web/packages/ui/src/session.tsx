// Who is signed in, shared by every screen of an app.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Client, SessionResponse, User } from "./api/client";
import { isLocale } from "./i18n/core";
import { useOptionalI18n } from "./i18n/react";

export interface Session {
  client: Client;
  /** Null when signed out (or not known yet: see ready). */
  user: User | null;
  /** False until the first GET /api/v1/me has answered. */
  ready: boolean;
  /** Records the result of signup or login. */
  signedIn(s: SessionResponse): void;
  /** Records the user as changed (their settings). */
  updated(u: User): void;
  logout(): Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ client, children }: { client: Client; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let live = true;
    client
      .me()
      .then((s) => live && setUser(s?.user ?? null))
      .catch(() => live && setUser(null))
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [client]);

  // The signed-in person's language and time zone, wherever they sign in.
  const i18n = useOptionalI18n();
  const language = user?.language ?? "";
  const timeZone = user?.timeZone ?? "";
  const setLocale = i18n?.setLocale;
  const setTimeZone = i18n?.setTimeZone;
  useEffect(() => {
    if (language && isLocale(language)) setLocale?.(language);
  }, [language, setLocale]);
  useEffect(() => {
    setTimeZone?.(timeZone);
  }, [timeZone, setTimeZone]);

  const updated = useCallback((u: User) => setUser(u), []);

  const signedIn = useCallback((s: SessionResponse) => {
    setUser(s.user);
    setReady(true);
  }, []);

  const logout = useCallback(async () => {
    try {
      await client.logout();
    } finally {
      setUser(null);
    }
  }, [client]);

  const value = useMemo(() => ({ client, user, ready, signedIn, updated, logout }), [client, user, ready, signedIn, updated, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
