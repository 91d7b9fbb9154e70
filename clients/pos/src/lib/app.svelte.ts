/** The app's wiring: the API of the signed-in session and the screen on show. */
import { type Api, createApi } from './graphql/api.ts';
import { session } from './session.svelte.ts';

export type Screen = 'sale' | 'orders' | 'dashboard' | 'shift' | 'queue';

export const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: 'sale', label: 'Sale', key: 'Alt+1' },
  { id: 'orders', label: 'Orders', key: 'Alt+2' },
  { id: 'dashboard', label: 'Dashboard', key: 'Alt+3' },
  { id: 'shift', label: 'Shift', key: 'Alt+4' },
  { id: 'queue', label: 'Queue', key: 'Alt+5' },
];

function screenFromHash(): Screen {
  const id = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return SCREENS.some((s) => s.id === id) ? (id as Screen) : 'sale';
}

class AppState {
  screen = $state<Screen>(screenFromHash());
  help = $state(false);
  /** tests put a stand-in here */
  override: Api | null = null;
  private current: { token: string; api: Api } | null = null;

  /** one API (HTTP + WebSocket) per signed-in token; reading it tracks the token */
  get api(): Api | null {
    if (this.override) return this.override;
    const token = session.token;
    if (this.current?.token !== token) {
      this.current?.api.close();
      this.current = token
        ? {
            token,
            api: createApi({
              token: () => session.token,
              onUnauthenticated: () => {
                session.expired = true;
              },
            }),
          }
        : null;
    }
    return this.current?.api ?? null;
  }

  toggleHelp(show = !this.help): void {
    this.help = show;
  }

  go(screen: Screen): void {
    this.screen = screen;
    if (typeof history !== 'undefined') history.replaceState(null, '', `#/${screen}`);
  }
}

export const app = new AppState();
