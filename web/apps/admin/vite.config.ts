import { appConfig } from "../../vite.app.mjs";

export default appConfig(import.meta.url);
