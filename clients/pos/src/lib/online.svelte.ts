/** Whether the till has a network, as the browser sees it (the queue also learns it from failed sends). */
class Connectivity {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('online', () => {
      this.online = true;
    });
    window.addEventListener('offline', () => {
      this.online = false;
    });
  }
}

export const connectivity = new Connectivity();
