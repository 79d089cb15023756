import { mount } from 'svelte';
import EmbedApp from './EmbedApp.svelte';
import { readEmbedConfig } from './config.ts';
import 'katex/dist/katex.min.css';
import '../styles.css';
import './theme.css';

const config = readEmbedConfig(location.search);
if (config.theme !== 'auto') document.documentElement.dataset.theme = config.theme;

const target = document.getElementById('app');
if (!target) throw new Error('The page is missing its #app element.');

export default mount(EmbedApp, { target, props: { config } });
