// Small data hooks: load a resource, keep the last good value while reloading, and expose reload for live updates.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { PERMISSIONS, type Permission } from '../../src/server/permissions.ts';
import type { Me, Role } from './types.ts';

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Loads when `key` changes (a string naming every input of `load`), keeping reload for live updates. */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const value = await loader.current();
      if (mine !== seq.current) return;
      setData(value);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key names the inputs of load, which is read through a ref
  useEffect(() => {
    setData(null);
    void reload();
    return () => {
      seq.current++;
    };
  }, [key, reload]);

  return { data, error, loading, reload };
}

/** Runs an action, tracking busy and error state; returns the result or undefined on failure. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export interface Session {
  me: Me;
  signOut: () => Promise<void>;
  /** Reads a message to screen readers (the app-wide polite live region). */
  announce: (text: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** Whether the signed-in role may do something: the server's own table, so the UI offers only what the API allows. */
export function useCan(): (permission: Permission) => boolean {
  const { me } = useSession();
  return (p) => (PERMISSIONS[p] as readonly Role[]).includes(me.role);
}
