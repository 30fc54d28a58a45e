// The support kind as a fixture for platform tests (channels, runtime): channel tests need an agent that answers,
// and they reach the support wing only through here, so src/channels imports nothing from src/agents.
export { CLARIFY_TEXT } from '../../src/agents/support/brain.ts';
export { SUPPORT_KIND, supportOf } from '../../src/agents/support/kind.ts';
export { kbImporter } from '../../src/knowledge/import.ts';
export { faqUpdater, listArticles, listFaqs } from '../../src/knowledge/kb.ts';
export { sourceTitles, titlesIn } from '../../src/knowledge/sources.ts';
