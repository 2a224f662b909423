import type { RouteModule } from "../client-api.ts";
import { mountAuthorizedApps } from "./authorized-apps.ts";
import { mountConfirmation } from "./confirmation.ts";
import { mountHome } from "./home.ts";
import { mountPasswordReset } from "./password.ts";
import { mountSignIn } from "./sign-in.ts";
import { mountSignUp } from "./sign-up.ts";

/** The server-rendered pages: home, sign in/out, sign up, e-mail confirmation, password reset, authorized apps. */
export const mountPages: RouteModule = (app, deps) => {
  mountHome(app, deps);
  mountSignIn(app, deps);
  mountSignUp(app, deps);
  mountConfirmation(app, deps);
  mountPasswordReset(app, deps);
  mountAuthorizedApps(app, deps);
};
