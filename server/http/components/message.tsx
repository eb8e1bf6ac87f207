import type { Child } from 'hono/jsx';
import type { Viewer } from './header.js';
import { Layout } from './layout.js';

/**
 * A page of one message: the evaluator's (used link, closed, unknown; they are not signed in,
 * so no header) and the error pages (with the header when someone is signed in).
 */
export function MessagePage({
  title,
  message,
  lang,
  viewer,
  styles,
  children,
}: {
  title: string;
  message: string;
  lang?: string;
  viewer?: Viewer;
  styles?: string[];
  children?: Child;
}) {
  return (
    <Layout title={title} lang={lang} viewer={viewer} styles={styles}>
      <main class="message">
        <h1>{title}</h1>
        <p>{message}</p>
        {children}
      </main>
    </Layout>
  );
}

/** An error as a person reads it in the browser (API clients get the JSON envelope instead). */
export function ErrorPage({ title, message, viewer }: { title: string; message: string; viewer?: Viewer }) {
  return (
    <MessagePage title={title} message={message} viewer={viewer}>
      <p class="error-home">
        <a href="/">返回首页</a>
      </p>
    </MessagePage>
  );
}

/** What a list, table or page shows while it has nothing to show yet, and what to do about it. */
export function EmptyState({ id, children }: { id?: string; children?: Child }) {
  return (
    <p class="empty-state" id={id}>
      {children}
    </p>
  );
}
