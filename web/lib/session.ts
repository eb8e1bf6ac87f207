/** The signed-in pages' API client (office, dashboard). */
import { apiClient, type ApiClient } from './api.js';

/**
 * A client with the session's CSRF token (the page's `data-csrf`); when the session has ended
 * (401) the person is sent to sign in and brought back to this page.
 */
export function sessionApi(): ApiClient {
  const csrfToken = document.querySelector<HTMLElement>('[data-csrf]')?.dataset.csrf ?? '';
  return apiClient({
    csrfToken,
    onUnauthorized: () => location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`),
  });
}
