import { execFile } from "node:child_process";

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed after `timeout` ms); never rejects. */
export function command(file: string, args: readonly string[], cwd: string, timeout: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, timeout, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ ok: error === null, stdout, stderr: error === null ? stderr : `${stderr}\n${error.message}` }),
    );
  });
}

/** A failure message with the tail of what the command printed. */
export function describeFailure(what: string, result: CommandResult): string {
  return `${what} failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;
}
