export function findPostgresBin(): string;
export function freePort(): Promise<number>;
export function startPostgres(options?: { port?: number }): Promise<{ url: string; port: number; dataDir: string; pid: number; stop: () => void }>;
export function processAlive(pid: number): boolean;
