import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** The signed-in user, as `GET /api/me` answers. */
export interface Me {
  id: string;
  name: string;
  login: string | null;
  role: "admin" | "auditor" | "officer" | "broadcaster" | "approver";
  agencyId: string | null;
}

export interface SessionState {
  me: Me;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in page");
  return s;
}
