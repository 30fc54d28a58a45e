// The team's names for the dashboard: `user:sam@…` becomes "Sam Rivera". One request per page load (the
// directory changes rarely); until it arrives, or when it fails, people are shown by their email.
import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { personName } from './format.ts';

let directory: Promise<Map<string, string>> | null = null;

function load(): Promise<Map<string, string>> {
  directory ??= api
    .get<{ people: { email: string; name: string }[] }>('/api/people')
    .then((r) => new Map(r.people.map((p) => [p.email.toLowerCase(), p.name])))
    .catch(() => {
      directory = null;
      return new Map<string, string>();
    });
  return directory;
}

/** Forgets the directory (after people are added, renamed or removed). */
export function refreshPeople(): void {
  directory = null;
}

/** `name(actor)`: the display name of `user:<email>`, `cli`, `setup`… (format.ts personName). */
export function usePersonName(): (who: string | null | undefined) => string {
  const [dir, setDir] = useState<Map<string, string> | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void load().then((d) => {
      if (live) setDir(d);
    });
    return () => {
      live = false;
    };
  }, []);
  return (who) => personName(who, dir);
}
