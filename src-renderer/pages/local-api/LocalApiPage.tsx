import { useInferenceStatus } from '../../api/inference';
import { useLibrary } from '../../api/library';
import { useLocalApi } from '../../api/localapi';
import { useSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { PageHeader } from '../../components/PageHeader';
import { LocalApiCard } from './LocalApiCard';
import { ModelIds } from './ModelIds';
import { Snippets } from './Snippets';

/**
 * The Local API as a place of its own: on/off, where it listens, the base URL and key, the latest
 * requests, and how to point curl, the openai SDKs, Continue or Open WebUI at it.
 */
export function LocalApiPage() {
  const settings = useSettings();
  const view = useLocalApi().data;
  const loadedKey = useInferenceStatus().data?.model?.key ?? null;
  const loaded = useLibrary().data?.find((i) => i.key === loadedKey);
  // A name the API takes for the loaded model: its repo id (which picks its one GGUF, or lists the
  // choices), or a local file's name; before anything is loaded, the form of one.
  const model = loaded ? (loaded.repo ?? loaded.name) : 'org/repo';
  const port = settings.data?.localApi.port;
  const baseUrl = view?.url ?? (port ? `http://127.0.0.1:${port}/v1` : null);
  return (
    <Page>
      <PageHeader
        title="Local API"
        description="An OpenAI-compatible API on this machine for other tools: every GGUF model in your Library, loaded when a request names it."
      />
      {settings.error ? <ErrorNotice error={settings.error} /> : null}
      {settings.data ? <LocalApiCard settings={settings.data} /> : null}
      <ModelIds />
      {baseUrl ? <Snippets baseUrl={baseUrl} model={model} /> : null}
    </Page>
  );
}
