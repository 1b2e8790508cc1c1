import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiProvider } from './api/context';
import { createApi } from './api/client';
import { detectTransport } from './api/transport';
import { App } from './app/App';
import { applyLastTheme } from './app/theme';
import { currentPath } from './app/hash-location';
import { loadFirstPage } from './app/routes';
import './app.css';

applyLastTheme();
loadFirstPage(currentPath());
const api = createApi(detectTransport());
const queryClient = new QueryClient({
  defaultOptions: {
    // The core pushes changes as events; no polling or refetch-on-focus storms.
    queries: { staleTime: Infinity, refetchOnWindowFocus: false, retry: false },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiProvider api={api}>
        <App />
      </ApiProvider>
    </QueryClientProvider>
  </StrictMode>,
);
