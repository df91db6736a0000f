import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { createAppStore } from './state/app-state.js';
import { AppContext } from './state/context.js';
import './styles.css';

const store = createAppStore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={store}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
