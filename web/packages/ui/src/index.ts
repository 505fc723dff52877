// @lyceum/ui: what every Lyceum web app shares.
export * from "./api/client";
export * from "./i18n/core";
export * from "./i18n/react";
export { uiCatalogs, type UiKey } from "./i18n/messages";
export * from "./router";
export * from "./session";
export * from "./roles";
export * from "./hooks";
export * from "./components/feedback";
export * from "./components/icons";
export * from "./components/dialog";
export * from "./components/boundary";
export * from "./components/header";
