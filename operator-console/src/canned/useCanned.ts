import { useEffect, useState } from 'preact/hooks';
import { fetchCanned } from '../api/http.ts';
import { type CannedResponse, defaultCannedResponses } from './catalogue.ts';

/** The live canned responses, with the built-in defaults until (or unless) the server answers. */
export function useCanned(): readonly CannedResponse[] {
  const [list, setList] = useState<readonly CannedResponse[]>(defaultCannedResponses);
  useEffect(() => {
    let alive = true;
    void fetchCanned().then((res) => {
      if (alive && res.ok && res.data.length > 0) setList(res.data);
    });
    return () => {
      alive = false;
    };
  }, []);
  return list;
}
