/**
 * How the console reports what an action did: one status line (`#done`, polite) and one problem
 * line (`#problem`, an alert), both in the page; `run` clears the problem, runs the action,
 * reports its outcome in plain words and then refreshes what it changed.
 */
import { useState } from 'preact/hooks';

export type Run = <T>(action: () => Promise<T>, success: (result: T) => string, after?: () => unknown) => Promise<void>;

export interface Outcome {
  problem: string;
  done: string;
  setProblem: (message: string) => void;
  clear: () => void;
  run: Run;
}

export function useOutcome(): Outcome {
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');
  const run: Run = async (action, success, after) => {
    setProblem('');
    try {
      const result = await action();
      setDone(success(result));
    } catch (error) {
      setDone('');
      setProblem((error as Error).message);
    }
    await after?.();
  };
  return {
    problem,
    done,
    setProblem,
    clear: () => {
      setProblem('');
      setDone('');
    },
    run,
  };
}
