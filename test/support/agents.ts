// The support kind as a fixture for platform tests (channels, runtime): channel tests need an agent that answers,
// and they reach the support wing only through here, so src/channels imports nothing from src/agents.
export { CLARIFY_TEXT } from '../../src/agents/support/brain.ts';
export { kbImporter } from '../../src/agents/support/import.ts';
export { faqUpdater, listArticles, listFaqs } from '../../src/agents/support/kb.ts';
export { SUPPORT_KIND, supportOf } from '../../src/agents/support/kind.ts';
export { sourceTitles, titlesIn } from '../../src/agents/support/sources.ts';
