package dev.folio.api;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The playground page at {@code /} (POST / is TGI's compat route, so the welcome page needs an explicit GET). */
@Controller
@Hidden
public class PlaygroundController {

    @GetMapping("/")
    public String playground() {
        return "forward:/index.html";
    }
}
